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

  // Set and read back a throwaway cookie with the state cookie's attributes: if it does not
  // stick, the state cookie will not either (pylti1p3's cookie check does the same).
  function cookiesKept(attributes) {
    const name = "communitas_check_" + Math.random().toString(36).slice(2);
    document.cookie = name + "=1; path=/; max-age=60" + attributes;
    const kept = document.cookie.indexOf(name + "=1") !== -1;
    document.cookie = name + "=; path=/; max-age=0" + attributes;
    return kept;
  }

  if (mode === "login") {
    const go = (url) => window.location.replace(url);
    const next = () => go(el.dataset.next);
    // Only a browser that can finish the launch goes on to the platform: a one-time
    // message hint (Moodle's) must not be spent in a frame that then fails.
    const withoutStorage = (why) =>
      cookiesKept(el.dataset.cookie) ? next() : go(el.dataset.blocked + "&why=" + why);
    if (target) {
      send({ subject: "lti.put_data", key: key, value: el.dataset.value }).then(next, () =>
        withoutStorage("storage")
      );
    } else {
      withoutStorage("cookie");
    }
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
