/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // pg and the Prisma runtime stay as plain Node requires on the server.
  serverExternalPackages: ["pg", "@prisma/adapter-pg"],
};

module.exports = nextConfig;
