"""Write-side use cases. They flush and audit; the caller commits once."""
