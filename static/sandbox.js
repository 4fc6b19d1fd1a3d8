// The sandbox LMS grows the tool's iframe when the tool reports its height (lti.frameResize).
window.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.subject === "lti.frameResize" && Number.isFinite(data.height)) {
    document.getElementById("tool").style.height = Math.max(data.height, 200) + "px";
  }
});
