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

// A text area of agency codes (past a hundred agencies, registry/web/forms.py) gets a finder:
// type part of an agency's name, choose it, and its code is added to the text area. A box for
// one agency's code (past a thousand agencies) gets the same finder, which puts the code in it.
// The matches come from the server, which knows every agency; the page does not carry them all.
for (const codes of document.querySelectorAll("[data-app-agency-lookup]")) {
  addAgencyFinder(codes);
}

function addAgencyFinder(codes) {
  const single = codes.tagName === "INPUT";
  const id = `${codes.id}-finder`;
  const group = document.createElement("div");
  group.className = "govuk-form-group";
  const label = document.createElement("label");
  label.className = "govuk-label";
  label.htmlFor = id;
  label.textContent = single ? "Find the agency by name" : "Add an agency by name";
  const field = document.createElement("span");
  field.className = "govuk-visually-hidden";
  field.textContent = ` ${single ? "for" : "to"} “${document.querySelector(`label[for="${codes.id}"]`).textContent.trim()}”`;
  label.append(field);
  const container = document.createElement("div");
  const added = document.createElement("p");
  added.className = "govuk-body-s";
  added.setAttribute("aria-live", "polite");
  group.append(label, container, added);
  codes.closest(".govuk-form-group").after(group);

  const lookup = new URL(codes.dataset.appAgencyLookup, window.location.href);
  let latest = "";
  window.accessibleAutocomplete({
    element: container,
    id,
    minLength: 2,
    confirmOnBlur: false,
    source(query, show) {
      latest = query;
      lookup.searchParams.set("q", query);
      fetch(lookup, { headers: { Accept: "application/json" } })
        .then((response) => (response.ok ? response.json() : []))
        .catch(() => [])
        .then((agencies) => query === latest && show(agencies));
    },
    templates: {
      inputValue: () => "",
      // The autocomplete writes suggestions as HTML: names are escaped.
      suggestion: (agency) => (typeof agency === "string" ? escaped(agency) : `${escaped(agency.name)} (${escaped(agency.code)})`),
    },
    tNoResults: () => "No agency found",
    onConfirm(agency) {
      if (!agency) return;
      const named = `${agency.name} (${agency.code})`;
      if (single) {
        codes.value = agency.code;
        added.textContent = `Chose ${named}.`;
        return;
      }
      const listed = codes.value.split(/[\s,;]+/).map((code) => code.toUpperCase());
      if (listed.includes(agency.code.toUpperCase())) {
        added.textContent = `${named} is already in the list.`;
        return;
      }
      codes.value = codes.value.trim() ? `${codes.value.trimEnd()}\n${agency.code}` : agency.code;
      added.textContent = `Added ${named}.`;
    },
  });
}

function escaped(text) {
  const holder = document.createElement("span");
  holder.textContent = text;
  return holder.innerHTML;
}
