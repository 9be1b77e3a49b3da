/** An error the API answers with its own status and `{ error: { message, code } }`. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new ApiError(400, code, message);

export const eventNotFound = (id: string) =>
  new ApiError(404, 'event_not_found', `no event ${id} is stored; list events with GET /api/events.`);
