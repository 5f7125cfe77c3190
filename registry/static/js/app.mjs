// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// A long list of agencies searches as you type: GOV.UK's accessible-autocomplete, loaded
// as a classic script before this module, over each select the server marks.
for (const select of document.querySelectorAll("select[data-app-autocomplete]")) {
  window.accessibleAutocomplete.enhanceSelectElement({
    selectElement: select,
    // With nothing chosen yet, start empty rather than with the "Choose an agency" text.
    defaultValue: "",
    // Without the greyed-out completion, whose extra input axe-core finds unlabelled.
    autoselect: false,
  });
}
