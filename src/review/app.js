// The review and enrolment pages' only script. It asks the approver's passkey to sign and
// carries the result to the server, which checks everything itself: nothing here decides.
'use strict';

const b64url = {
  encode(buffer) {
    let s = '';
    for (const byte of new Uint8Array(buffer)) s += String.fromCharCode(byte);
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  },
  decode(text) {
    const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(s, (c) => c.charCodeAt(0));
  },
};

const csrf = document.querySelector('meta[name="csrf-token"]').content;

function say(text, ok) {
  const out = document.getElementById('result');
  out.textContent = text;
  out.className = ok ? 'ok' : 'refused';
}

async function post(url, body) {
  const answer = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
    body: JSON.stringify(body),
    credentials: 'same-origin',
  });
  const data = await answer.json().catch(() => ({ error: `the server answered ${answer.status}` }));
  if (!answer.ok) throw new Error(data.error || `the server answered ${answer.status}`);
  return data;
}

async function assertion(review, challenge) {
  const allow = review.dataset.credentials
    .split(' ')
    .filter(Boolean)
    .map((id) => ({ type: 'public-key', id: b64url.decode(id) }));
  const credential = await navigator.credentials.get({
    publicKey: {
      challenge,
      rpId: review.dataset.rpId,
      allowCredentials: allow,
      userVerification: 'required',
      timeout: 120000,
    },
  });
  const r = credential.response;
  return {
    credential_id: b64url.encode(credential.rawId),
    authenticator_data: b64url.encode(r.authenticatorData),
    client_data_json: b64url.encode(r.clientDataJSON),
    signature: b64url.encode(r.signature),
  };
}

function reviewPage(review) {
  const hash = review.dataset.planHash;
  const base = `/plan/${review.dataset.planId}`;
  const buttons = review.querySelectorAll('button');
  const busy = (on) => buttons.forEach((b) => { b.disabled = on; });
  document.getElementById('approve').addEventListener('click', async () => {
    busy(true);
    try {
      const signed = await assertion(review, b64url.decode(review.dataset.challenge));
      const done = await post(`${base}/approve`, { plan_hash: hash, assertion: signed });
      const rest = done.missing.length ? ` It still needs: ${done.missing.join('; ')}.` : ' Nothing more is needed.';
      say(`Approved by ${done.approver}, written to ${done.file}.${rest}`, true);
    } catch (e) {
      say(`Not approved: ${e.message}`, false);
      busy(false);
    }
  });
  document.getElementById('decline').addEventListener('click', async () => {
    const reason = document.getElementById('reason').value;
    if (!reason.trim()) {
      say('A decline needs a reason, for the author.', false);
      return;
    }
    busy(true);
    try {
      const text = new TextEncoder().encode(`postgate-decline\n${hash}\n${reason}`);
      const challenge = new Uint8Array(await crypto.subtle.digest('SHA-256', text));
      const signed = await assertion(review, challenge);
      const done = await post(`${base}/decline`, { plan_hash: hash, reason, assertion: signed });
      say(`Declined by ${done.approver}, written to ${done.file}.`, true);
    } catch (e) {
      say(`Not declined: ${e.message}`, false);
      busy(false);
    }
  });
}

function enrolPage(enrol) {
  document.getElementById('enrol').addEventListener('click', async (event) => {
    event.target.disabled = true;
    try {
      const d = enrol.dataset;
      const credential = await navigator.credentials.create({
        publicKey: {
          challenge: b64url.decode(d.challenge),
          rp: { id: d.rpId, name: 'postgate' },
          user: { id: b64url.decode(d.userId), name: d.name, displayName: d.name },
          // ES256 first: every platform authenticator has it; EdDSA where offered.
          pubKeyCredParams: [{ type: 'public-key', alg: -7 }, { type: 'public-key', alg: -8 }],
          authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
          attestation: 'none',
          timeout: 120000,
        },
      });
      const done = await post(d.path, {
        client_data_json: b64url.encode(credential.response.clientDataJSON),
        attestation_object: b64url.encode(credential.response.attestationObject),
      });
      say(`Enrolled: ${done.fingerprint}. The terminal shows the entry to add to the policy; this page is closed.`, true);
    } catch (e) {
      say(`Not enrolled: ${e.message}`, false);
      event.target.disabled = false;
    }
  });
}

const review = document.getElementById('review');
if (review) reviewPage(review);
const enrol = document.getElementById('enrolment');
if (enrol) enrolPage(enrol);
