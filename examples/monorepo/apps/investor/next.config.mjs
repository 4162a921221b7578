/** @type {import('next').NextConfig} */
export default {
  output: 'standalone',
  transpilePackages: ['@acme/ui', '@acme/types'],
};
