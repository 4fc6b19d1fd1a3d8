// Tell the LMS that registration is over so it closes its dialog (LTI Dynamic Registration 1.0).
(function () {
  const message = { subject: "org.imsglobal.lti.close" };
  if (window.opener && window.opener !== window) window.opener.postMessage(message, "*");
  if (window.parent !== window) window.parent.postMessage(message, "*");
})();
