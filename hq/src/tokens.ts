import { createHash, randomBytes } from 'node:crypto';

/** Tokens are stored only as their SHA-256 (a leaked table reveals no usable token). */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** 32 random bytes, URL-safe: unguessable, so a fast hash is enough (no slow KDF needed). */
export const newToken = (prefix: string): string => `${prefix}_${randomBytes(32).toString('base64url')}`;
