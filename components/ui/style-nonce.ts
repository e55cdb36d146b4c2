import { setNonce } from "get-nonce";

/*
 * Radix's scroll lock (react-remove-scroll) injects a <style> while a dialog, sheet or menu is open, and the
 * Content-Security-Policy allows styles only by nonce. Its helper takes the nonce from here: the one Next.js put on
 * the document's scripts, which is the document's policy (a later server render carries another response's nonce).
 */
if (typeof document !== "undefined") {
  const nonce = document.querySelector<HTMLScriptElement>("script[nonce]")?.nonce;
  if (nonce) setNonce(nonce);
}
