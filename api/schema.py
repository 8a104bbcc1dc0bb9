"""drf-spectacular's AutoSchema with the error responses every endpoint can give, in the one shape of api.errors."""

from drf_spectacular.openapi import AutoSchema

ERROR_CODES = {
    "400": "Invalid: `fields` says which field and why",
    "401": "No key or session, or the key is not valid, has expired or was revoked",
    "403": "The client lacks the endpoint's scope, or the user may read but not change the record",
    "404": "No such record, or not within the caller's access (the same answer)",
    "429": "Over the client's rate limit; see Retry-After",
}


class ApiAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        from .serializers import ErrorSerializer

        responses = super()._get_response_bodies(direction)
        codes = dict(ERROR_CODES)
        if self.method == "POST" and self.path.endswith("/visits/"):
            codes["409"] = "The client key was used before with a different body"
        for code, description in codes.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                response["description"] = description
                responses[code] = response
        return responses
