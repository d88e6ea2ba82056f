// WebAuthn ceremonies for KetaCare (no inline script: CSP script-src 'self').
// A form with data-passkey="register|sign_in|reauth" and data-options-url: the button
// [data-passkey-start] fetches the options, asks the browser for the credential, puts its JSON
// into the form's hidden "credential" field and submits the form; the server verifies it.
(function () {
  "use strict";
  function fromB64url(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }
  function toB64url(buf) {
    var bytes = new Uint8Array(buf), s = "";
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function creationOptions(o) {
    o.challenge = fromB64url(o.challenge);
    o.user.id = fromB64url(o.user.id);
    (o.excludeCredentials || []).forEach(function (c) { c.id = fromB64url(c.id); });
    return o;
  }
  function requestOptions(o) {
    o.challenge = fromB64url(o.challenge);
    (o.allowCredentials || []).forEach(function (c) { c.id = fromB64url(c.id); });
    return o;
  }
  function credentialJSON(cred) {
    if (typeof cred.toJSON === "function") { return cred.toJSON(); }
    var r = cred.response, out = {id: cred.id, rawId: toB64url(cred.rawId), type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}, response: {
        clientDataJSON: toB64url(r.clientDataJSON)}};
    if (r.attestationObject) { out.response.attestationObject = toB64url(r.attestationObject); }
    if (r.authenticatorData) { out.response.authenticatorData = toB64url(r.authenticatorData); }
    if (r.signature) { out.response.signature = toB64url(r.signature); }
    if (r.userHandle) { out.response.userHandle = toB64url(r.userHandle); }
    return out;
  }
  function fail(form, message) {
    var el = form.querySelector("[data-passkey-error]");
    if (el) { el.textContent = message; el.hidden = false; }
  }
  function start(form) {
    var purpose = form.getAttribute("data-passkey");
    if (!window.PublicKeyCredential) { fail(form, "This browser cannot use passkeys."); return; }
    if (purpose === "register") {
      var name = form.querySelector("input[name$='name']");
      if (name && !name.value.trim()) { fail(form, "Give the key a name first."); name.focus(); return; }
    }
    var body = new FormData();
    body.append("purpose", purpose);
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    fetch(form.getAttribute("data-options-url"), {method: "POST", body: body, credentials: "same-origin"})
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) { throw new Error(j.detail || "Refused."); } return j; }); })
      .then(function (o) {
        return purpose === "register" ? navigator.credentials.create({publicKey: creationOptions(o)})
                                      : navigator.credentials.get({publicKey: requestOptions(o)});
      })
      .then(function (cred) {
        form.querySelector("input[name$='credential']").value = JSON.stringify(credentialJSON(cred));
        form.submit();
      })
      .catch(function (e) { fail(form, "The key was not used: " + (e && e.message ? e.message : e)); });
  }
  document.addEventListener("click", function (ev) {
    var button = ev.target.closest("[data-passkey-start]");
    if (!button) { return; }
    ev.preventDefault();
    start(button.closest("form[data-passkey]"));
  });
})();
