import { apiHandler, mergeUserMetadata, V1 } from "@/lib/api";

/** PATCH /api/v1/users/{user_id}/metadata: deep-merges into the metadata (S9). */
export const PATCH = apiHandler(V1.updateUserMetadata, async ({ params, body, actor }) =>
  mergeUserMetadata(
    params.user_id,
    { publicMetadata: body.public_metadata, privateMetadata: body.private_metadata, unsafeMetadata: body.unsafe_metadata },
    actor,
  ),
);
