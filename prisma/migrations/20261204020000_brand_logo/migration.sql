-- The instance's logo (S8, S11 branding): one re-encoded image, served from /branding/logo.
CREATE TABLE "BrandLogo" (
    "id" TEXT NOT NULL DEFAULT 'default',
    "data" BYTEA NOT NULL,
    "contentType" TEXT NOT NULL,
    "etag" TEXT NOT NULL,
    "width" INTEGER NOT NULL,
    "height" INTEGER NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BrandLogo_pkey" PRIMARY KEY ("id")
);
