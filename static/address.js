// A launch answers with its page directly, at the launch's address. Give the page its own
// address, so reloading it or coming back to it asks for the page again rather than posting
// the launch, which works only once.
(function () {
  "use strict";
  const address = document.currentScript && document.currentScript.dataset.address;
  if (address && window.history && window.history.replaceState) {
    window.history.replaceState(window.history.state, "", address);
  }
})();
