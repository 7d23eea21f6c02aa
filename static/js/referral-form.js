// The referral form: when an organisation is chosen, show its directory entry (full name,
// services, languages, hours) and offer only the services it provides. The server checks
// the same rule (referrals.forms.ReferralForm.clean), so this is a convenience only.
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
  function fill(name, text) {
    var node = card.querySelector('[data-field="' + name + '"]');
    if (node) {
      node.textContent = text || "–";
    }
  }
  function update() {
    var entry = entries[target.value];
    card.hidden = !entry;
    if (entry) {
      fill("name", entry.name + (entry.acronym ? " (" + entry.acronym + ")" : ""));
      fill("address", entry.address);
      fill("services", entry.service_names.join(", "));
      fill("languages", entry.languages.join(", "));
      fill("hours", entry.hours);
      fill("contact", entry.contact);
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
