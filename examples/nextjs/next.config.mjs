/** @type {import("next").NextConfig} */
const nextConfig = {
  // The build must fail on type errors (this is the default; said here so nobody turns it off).
  typescript: { ignoreBuildErrors: false },
  // The SDK is a server-side dependency: keep it out of the bundle and load it from
  // node_modules at run time, as a user's `npm install gopherqueue` would.
  serverExternalPackages: ["gopherqueue"],
};

export default nextConfig;
