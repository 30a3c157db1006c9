// Fills latitude/longitude from the browser's position; the fields stay editable so a
// position can always be typed by hand (no permission, no GPS, desktop browsers).
(function () {
  "use strict";
  function setup(button) {
    var form = button.closest("form");
    var status = form.querySelector("[data-geolocate-status]");
    var say = function (text) { if (status) { status.textContent = text; } };
    if (!("geolocation" in navigator)) {
      say(button.dataset.failed);
      button.disabled = true;
      return;
    }
    button.addEventListener("click", function () {
      say(button.dataset.locating);
      navigator.geolocation.getCurrentPosition(function (position) {
        form.querySelector("[name=latitude]").value = position.coords.latitude.toFixed(6);
        form.querySelector("[name=longitude]").value = position.coords.longitude.toFixed(6);
        say(button.dataset.found);
        var nearby = form.querySelector("[data-nearby-link]");
        if (nearby) {
          nearby.href = nearby.href.split("?")[0] + "?latitude=" +
            position.coords.latitude.toFixed(6) + "&longitude=" +
            position.coords.longitude.toFixed(6);
        }
      }, function () { say(button.dataset.failed); },
      { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-geolocate]").forEach(setup);
  });
}());
