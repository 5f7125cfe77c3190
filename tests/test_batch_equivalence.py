"""A batch answers each item exactly as a single check of the same question would."""

from tests.helpers import active_agreement, agreement_payload, check_payload, create_agreement

COMPARED = (
    "outcome",
    "reasons",
    "agreement",
    "also_covered_by",
    "lawful_basis",
    "consent",
    "requires_justification",
    "valid_until",
)


def test_batch_items_match_single_checks_across_recipients(client, world):
    active_agreement(client, world)  # CSC <-> POL, in force
    create_agreement(  # CSC -> NHS, a draft: not in force
        client,
        world,
        agreement_payload(
            "ISA-2",
            parties=[{"agency": "CSC", "role": "provider"}, {"agency": "NHS", "role": "recipient"}],
        ),
    )
    active_agreement(  # CSC -> VOL, consent needed
        client,
        world,
        "ISA-3",
        parties=[{"agency": "CSC", "role": "provider"}, {"agency": "VOL", "role": "recipient"}],
        data_categories=["identity_contact", "social_care"],
        lawful_basis={"article6": "consent", "statutory_gateways": []},
        consent_required=True,
        safeguarding_override=False,
    )
    prac = world.headers("prac_csc")
    client.post(
        "/api/v1/subjects/P-2/consents",
        json={"status": "granted", "given_by": "subject", "method": "written"},
        headers=prac,
    )
    questions = [
        check_payload(recipient=recipient, subject=subject, risk_of_harm=risk)
        for recipient in ("POL", "NHS", "VOL", "SCH")
        for subject in ("P-1", "P-2")
        for risk in (False, True)
    ]
    batch = client.post("/api/v1/checks/batch", json={"checks": questions}, headers=prac)
    assert batch.status_code == 201, batch.json
    singles = [client.post("/api/v1/checks", json=q, headers=prac).json for q in questions]
    for item, single in zip(batch.json["checks"], singles, strict=True):
        assert {k: item[k] for k in COMPARED} == {k: single[k] for k in COMPARED}
    outcomes = {
        (q["recipient"], q["subject"], q["risk_of_harm"]): r["outcome"]
        for q, r in zip(questions, singles, strict=True)
    }
    assert outcomes[("POL", "P-1", False)] == "share"
    assert outcomes[("VOL", "P-2", False)] == "share"
    assert outcomes[("VOL", "P-1", False)] == "do_not_share"
    assert outcomes[("NHS", "P-1", False)] == "do_not_share"
    assert outcomes[("NHS", "P-1", True)] == "share_with_justification"
