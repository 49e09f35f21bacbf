// A stand-in for crypto-js over node:crypto, with crypto-js's WordArray shape (big-endian 32-bit
// words + sigBytes), so the signer's conversions are exercised; strings hash as UTF-8, like
// crypto-js. Used by the pre-request script runners (postman_sign.js, insomnia_sign.js).
'use strict';
const crypto = require('crypto');

function toBuffer(wordArray) {
  const out = Buffer.alloc(wordArray.sigBytes);
  for (let i = 0; i < wordArray.sigBytes; i += 1) {
    out[i] = (wordArray.words[i >>> 2] >>> (24 - (i % 4) * 8)) & 255;
  }
  return out;
}
function create(words, sigBytes) {
  return {
    words: words, sigBytes: sigBytes,
    toString: function (enc) { return toBuffer(this).toString(enc === 'base64' ? 'base64' : 'hex'); },
  };
}
function fromBuffer(buffer) {
  const words = [];
  for (let i = 0; i < buffer.length; i += 1) { words[i >>> 2] |= buffer[i] << (24 - (i % 4) * 8); }
  return create(words, buffer.length);
}
function input(data) { return typeof data === 'string' ? Buffer.from(data, 'utf8') : toBuffer(data); }
function hash(name) {
  return function (data) { return fromBuffer(crypto.createHash(name).update(input(data)).digest()); };
}
function mac(name) {
  return function (data, key) { return fromBuffer(crypto.createHmac(name, input(key)).update(input(data)).digest()); };
}

module.exports = {
  MD5: hash('md5'), SHA1: hash('sha1'), SHA256: hash('sha256'), SHA384: hash('sha384'), SHA512: hash('sha512'),
  HmacMD5: mac('md5'), HmacSHA1: mac('sha1'), HmacSHA256: mac('sha256'), HmacSHA384: mac('sha384'),
  HmacSHA512: mac('sha512'),
  lib: { WordArray: { create: create } },
  enc: { Hex: 'hex', Base64: 'base64' },
};
