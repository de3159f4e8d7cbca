import { apiHandler, createUserFromApi, listUserResources, V1 } from "@/lib/api";

/** GET /api/v1/users: users, filtered, keyset-paginated (S9). */
export const GET = apiHandler(V1.listUsers, async ({ query }) =>
  listUserResources({
    query: query.query,
    banned: query.banned,
    locked: query.locked,
    mfa: query.mfa,
    createdFrom: query.created_after,
    createdTo: query.created_before,
    sort: query.order_by,
    cursor: query.cursor ?? null,
    limit: query.limit,
  }),
);

/** POST /api/v1/users: creates a user (verified address, optional password or imported password digest, metadata). */
export const POST = apiHandler(V1.createUser, async ({ body, actor }) =>
  createUserFromApi(
    {
      emailAddress: body.email_address,
      phoneNumber: body.phone_number,
      externalId: body.external_id,
      password: body.password,
      passwordDigest: body.password_digest,
      passwordHasher: body.password_hasher,
      firstName: body.first_name,
      lastName: body.last_name,
      publicMetadata: body.public_metadata,
      privateMetadata: body.private_metadata,
      unsafeMetadata: body.unsafe_metadata,
    },
    actor,
  ),
);
