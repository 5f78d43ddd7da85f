// playerpass: passkeys on the pages. The pages work without scripts; this file only adds the passkey
// buttons (WebAuthn needs the browser's API). It uses window.SimpleWebAuthnBrowser from
// /assets/webauthn.js and fills in forms the server then checks, so no state lives here.
(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  if (!lib || !lib.browserSupportsWebAuthn()) return;

  function problem(form, message) {
    var box = form.querySelector('.passkey-error');
    if (!box) return;
    box.textContent = message;
    box.hidden = false;
  }

  function failure(error) {
    if (error && error.name === 'NotAllowedError') return 'The passkey request was cancelled or timed out.';
    if (error && error.name === 'InvalidStateError') return 'This passkey is already registered.';
    return 'That did not work. Try again, or use another way.';
  }

  async function postJson(url, body) {
    var response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error('request failed: ' + response.status);
    return response.json();
  }

  // Passwordless sign-in (/sign-in): options from the API, the assertion posted with the form.
  document.querySelectorAll('form[data-passkey-sign-in]').forEach(function (form) {
    form.hidden = false;
    form.querySelector('button').addEventListener('click', async function () {
      try {
        var started = await postJson(form.getAttribute('data-options-url'), {});
        var response = await lib.startAuthentication({ optionsJSON: started.options });
        form.elements.challengeId.value = started.challengeId;
        form.elements.response.value = JSON.stringify(response);
        form.submit();
      } catch (error) {
        problem(form, failure(error));
      }
    });
  });

  // The second sign-in step: the options came with the page.
  document.querySelectorAll('[data-passkey-options]').forEach(function (button) {
    var form = button.form;
    button.closest('.passkey-step').hidden = false;
    button.addEventListener('click', async function () {
      try {
        var options = JSON.parse(button.getAttribute('data-passkey-options'));
        var response = await lib.startAuthentication({ optionsJSON: options });
        form.elements.code.value = '';
        form.elements.code.removeAttribute('required');
        form.elements.passkey.value = JSON.stringify(response);
        form.submit();
      } catch (error) {
        problem(form, failure(error));
      }
    });
  });

  // Adding a passkey (/account/security): options for this session, then the new credential posted with the form.
  document.querySelectorAll('form[data-passkey-register]').forEach(function (form) {
    form.hidden = false;
    form.addEventListener('submit', async function (event) {
      if (form.elements.response.value) return;
      event.preventDefault();
      try {
        var started = await postJson(form.getAttribute('data-options-url'), { _csrf: form.elements._csrf.value });
        var response = await lib.startRegistration({ optionsJSON: started.options });
        form.elements.challengeId.value = started.challengeId;
        form.elements.response.value = JSON.stringify(response);
        form.submit();
      } catch (error) {
        problem(form, failure(error));
      }
    });
  });
})();
