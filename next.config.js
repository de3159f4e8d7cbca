/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages: [
    // pg and the Prisma runtime stay as plain Node requires on the server.
    "pg",
    "@prisma/adapter-pg",
    // Big server-side libraries, loaded by Node once per process instead of bundled. Turbopack
    // puts the modules most routes share into one chunk and writes it out once per group of
    // routes (14 identical ~2.8 MB copies here), and the production server loads every route at
    // start: each copy's source stayed on the heap (two bytes per character), about 75 MB of
    // the 185 MB a server held at rest, most of it these (docs/performance.md, memory).
    "@zxcvbn-ts/core",
    "@zxcvbn-ts/language-common",
    "@zxcvbn-ts/language-en",
    "nodemailer",
    "libphonenumber-js",
    "@simplewebauthn/server",
    "html-to-text",
    "qrcode",
    "otplib",
    "ua-parser-js",
    // ~120k domain names, read on the first check only (lib/bot-protection/disposable.ts):
    // bundled, the whole list sat in two chunks' source from start-up.
    "disposable-email-domains",
  ],
};

module.exports = nextConfig;
