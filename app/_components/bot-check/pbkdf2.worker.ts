// The proof-of-work worker of the ALTCHA widget (S10), bundled from the package so it is served from
// our own origin: the CSP's worker-src allows 'self', never a third party.
import "altcha/workers/pbkdf2";
