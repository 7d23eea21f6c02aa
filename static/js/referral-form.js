// The referral form: when an organisation is chosen, show its directory entry (full name,
// description, services, languages, hours, contact, in the page's language) and offer only
// the services it provides. The server checks the same rule
// (referrals.forms.ReferralForm.clean), so this is a convenience only.
(function () {
  "use strict";
  var data = document.getElementById("directory-data");
  var target = document.getElementById("id_to_organisation");
  var service = document.getElementById("id_service");
  var card = document.getElementById("directory-card");
  if (!data || !target || !card) {
    return;
  }
  var entries = JSON.parse(data.textContent);
  var separator = card.getAttribute("data-separator") || ", ";
  function fill(name, text, language) {
    var node = card.querySelector('[data-field="' + name + '"]');
    if (!node) {
      return;
    }
    node.textContent = text || (node.hasAttribute("data-optional") ? "" : "–");
    node.hidden = !text && node.hasAttribute("data-optional");
    // A French text shown on an Arabic or English page (not translated yet) is marked as French.
    if (text && language && language !== document.documentElement.lang) {
      node.setAttribute("lang", language);
      node.setAttribute("dir", "auto");
    } else {
      node.removeAttribute("lang");
      node.removeAttribute("dir");
    }
  }
  function update() {
    var entry = entries[target.value];
    card.hidden = !entry;
    if (entry) {
      fill("name", entry.name + (entry.acronym ? " (" + entry.acronym + ")" : ""));
      var languages = entry.text_languages || {};
      fill("address", entry.address);
      fill("description", entry.description, languages.description);
      fill("services", entry.service_names.join(separator));
      fill("languages", entry.languages.join(separator));
      fill("hours", entry.hours, languages.hours);
      fill("contact", entry.contact, languages.contact);
    }
    if (!service) {
      return;
    }
    var offered = entry && entry.services.length ? entry.services.map(String) : null;
    Array.prototype.forEach.call(service.options, function (option) {
      var allowed = !option.value || !offered || offered.indexOf(option.value) !== -1;
      option.hidden = !allowed;
      option.disabled = !allowed;
      if (!allowed && option.selected) {
        service.value = "";
      }
    });
  }
  target.addEventListener("change", update);
  update();
})();
