// LTI platform storage (1EdTech "Client Side postMessage" + "Platform Storage"): keep the
// login's secret in the LMS page instead of a third-party cookie, and read it back at launch.
(function () {
  const el = document.getElementById("lti-storage");
  if (!el) return;
  const { mode, target, origin, key } = el.dataset;

  function storageFrame() {
    if (target === "_parent") return window.parent;
    try {
      return window.parent.frames[target] || window.parent;
    } catch (err) {
      return window.parent;
    }
  }

  function send(message) {
    return new Promise((resolve, reject) => {
      const id = "communitas-" + Math.random().toString(36).slice(2);
      const timer = setTimeout(() => done(new Error("timeout")), 3000);
      function done(error, data) {
        clearTimeout(timer);
        window.removeEventListener("message", onMessage);
        error ? reject(error) : resolve(data);
      }
      function onMessage(event) {
        const data = event.data || {};
        if (event.origin !== origin || data.message_id !== id) return;
        data.error ? done(new Error(data.error.message || data.error.code)) : done(null, data);
      }
      window.addEventListener("message", onMessage);
      storageFrame().postMessage(Object.assign({ message_id: id }, message), origin);
    });
  }

  if (mode === "put") {
    const next = () => window.location.replace(el.dataset.next);
    // If the platform cannot store it, carry on: cookies may still work.
    send({ subject: "lti.put_data", key: key, value: el.dataset.value }).then(next, next);
  } else if (mode === "get") {
    send({ subject: "lti.get_data", key: key }).then(
      (data) => {
        el.elements.lti_storage_secret.value = data.value || "";
        el.submit();
      },
      () => {
        document.getElementById("lti-storage-status").hidden = true;
        document.getElementById("lti-storage-failed").hidden = false;
      }
    );
  }
})();
