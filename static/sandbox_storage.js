// The sandbox LMS's platform storage: answers lti.capabilities, lti.put_data and lti.get_data
// from tools, keeping values per tool origin for as long as the course page is open.
(function () {
  const store = new Map();
  window.addEventListener("message", (event) => {
    const data = event.data || {};
    if (typeof data.subject !== "string" || !data.subject.startsWith("lti.")) return;
    const reply = { subject: data.subject + ".response", message_id: data.message_id };
    const slot = event.origin + "|" + data.key;
    if (data.subject === "lti.capabilities") {
      reply.supported_messages = [{ subject: "lti.put_data" }, { subject: "lti.get_data" }];
    } else if (data.subject === "lti.put_data") {
      store.set(slot, data.value);
      Object.assign(reply, { key: data.key, value: data.value });
    } else if (data.subject === "lti.get_data") {
      if (store.has(slot)) Object.assign(reply, { key: data.key, value: store.get(slot) });
      else reply.error = { code: "bad_request", message: "no value stored for " + data.key };
    } else {
      reply.error = { code: "unsupported_subject", message: data.subject };
    }
    event.source.postMessage(reply, event.origin);
  });
})();
