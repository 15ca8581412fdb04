// Passkey ceremonies in the browser: the server's options (base64url) become what
// navigator.credentials takes, and its credential goes back as JSON (base64url again).
// Registering: POST .../register/start, navigator.credentials.create, .../register/finish.
// Signing in: POST .../sign-in/start, navigator.credentials.get, .../sign-in/finish.

import { fromBase64url, toBase64url } from './base64url.js';

/** Whether this browser can make and use passkeys at all. */
export function passkeysSupported() {
  return typeof window.PublicKeyCredential === 'function' && !!navigator.credentials;
}

const withId = (descriptor) => ({ ...descriptor, id: fromBase64url(descriptor.id) });

function creationOptions(options) {
  const key = options.publicKey;
  return {
    ...key,
    challenge: fromBase64url(key.challenge),
    user: { ...key.user, id: fromBase64url(key.user.id) },
    excludeCredentials: (key.excludeCredentials || []).map(withId),
  };
}

function requestOptions(options) {
  const key = options.publicKey;
  return {
    ...key,
    challenge: fromBase64url(key.challenge),
    allowCredentials: (key.allowCredentials || []).map(withId),
  };
}

function extensions(credential) {
  try {
    return credential.getClientExtensionResults() || {};
  } catch {
    return {};
  }
}

function created(credential) {
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      attestationObject: toBase64url(credential.response.attestationObject),
      clientDataJSON: toBase64url(credential.response.clientDataJSON),
    },
    extensions: extensions(credential),
  };
}

function asserted(credential) {
  const { response } = credential;
  return {
    id: credential.id,
    rawId: toBase64url(credential.rawId),
    type: credential.type,
    response: {
      authenticatorData: toBase64url(response.authenticatorData),
      clientDataJSON: toBase64url(response.clientDataJSON),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
    },
    extensions: extensions(credential),
  };
}

/**
 * Why the browser made or used no passkey, in words, or null when the error is the
 * server's (an ApiError, to show as such).
 */
export function browserRefusal(error) {
  if (!error || typeof error.name !== 'string' || error.status !== undefined) return null;
  if (error.name === 'NotAllowedError' || error.name === 'AbortError') {
    return 'No passkey was used: it was cancelled, or it took too long. You can try again.';
  }
  if (error.name === 'InvalidStateError') {
    return 'This device already has a passkey for your account.';
  }
  if (error.name === 'SecurityError') {
    return 'Passkeys cannot be used at this address.';
  }
  if (error.name === 'NotSupportedError') {
    return 'This device cannot make a passkey that Healing Space accepts.';
  }
  return `The browser could not use a passkey (${error.message || error.name}).`;
}

/** Adds a passkey to the signed-in account; answers the server's view of it. */
export async function addPasskey(api, name) {
  const started = await api('/api/auth/passkeys/register/start', { method: 'POST' });
  const credential = await navigator.credentials.create({ publicKey: creationOptions(started.options) });
  const body = { ceremony: started.ceremony, credential: created(credential) };
  if (name) body.name = name;
  return api('/api/auth/passkeys/register/finish', { method: 'POST', body });
}

/** Signs in with a passkey the person picks; answers what a password sign-in answers. */
export async function signInWithPasskey(api) {
  const started = await api('/api/auth/passkeys/sign-in/start', { method: 'POST', auth: false });
  const credential = await navigator.credentials.get({ publicKey: requestOptions(started.options) });
  return api('/api/auth/passkeys/sign-in/finish', {
    method: 'POST',
    body: { ceremony: started.ceremony, credential: asserted(credential) },
    auth: false,
  });
}
