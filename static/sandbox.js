// The sandbox LMS grows the tool's iframe when the tool reports its height (lti.frameResize).
// Moodle ignores it (data-frame-resize="off"), so the frame keeps its fixed height there.
window.addEventListener("message", (event) => {
  const data = event.data || {};
  const frame = document.getElementById("tool");
  if (frame.dataset.frameResize === "off") return;
  if (data.subject === "lti.frameResize" && Number.isFinite(data.height)) {
    frame.style.height = Math.max(data.height, 200) + "px";
  }
});

// Dynamic registration ends with the tool asking the LMS to close its dialog.
window.addEventListener("message", (event) => {
  const frame = document.getElementById("tool");
  if (event.source !== frame.contentWindow) return;
  if ((event.data || {}).subject !== "org.imsglobal.lti.close") return;
  document.getElementById("registration-status").textContent =
    "Registration finished: reload this page to launch as the new client.";
  frame.src = "about:blank";
});
