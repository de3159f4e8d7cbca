import { apiHandler, deleteUserFromApi, getUserResource, updateUserFromApi, V1 } from "@/lib/api";

/** GET /api/v1/users/{user_id} (S9). */
export const GET = apiHandler(V1.getUser, async ({ params }) => getUserResource(params.user_id));

/** PATCH /api/v1/users/{user_id}: first name, last name, username. */
export const PATCH = apiHandler(V1.updateUser, async ({ params, body, actor }) =>
  updateUserFromApi(params.user_id, { firstName: body.first_name, lastName: body.last_name, username: body.username, externalId: body.external_id }, actor),
);

/** DELETE /api/v1/users/{user_id}: the user and their personal data. */
export const DELETE = apiHandler(V1.deleteUser, async ({ params, actor }) => deleteUserFromApi(params.user_id, actor));
