// Suggest the device's time zone in an empty "utc_offset" select; without JS the learner picks it.
(function () {
  const select = document.getElementById("utc_offset");
  if (!select || select.value !== "") return;
  const minutesEast = String(-new Date().getTimezoneOffset());
  if (Array.prototype.some.call(select.options, (o) => o.value === minutesEast)) {
    select.value = minutesEast;
  }
})();
