// Suggest the device's named time zone in an empty "time_zone" select; without JS the learner picks it.
(function () {
  const select = document.getElementById("time_zone");
  if (!select || select.value !== "") return;
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {
    return;
  }
  if (Array.prototype.some.call(select.options, (o) => o.value === zone)) {
    select.value = zone;
  }
})();
