"""How other systems authenticate: a named API token in the Authorization header."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from risks.tokens import InvalidTokenError, api_token_check


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """Accepts ``Authorization: Bearer <key>`` and ``Authorization: Token <key>``.

    `request.auth` is the `ApiToken`, so permissions can read its scope.
    """

    keywords = {"bearer", "token"}

    def authenticate(self, request):
        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                "Give the key after the scheme: Authorization: Bearer <key>."
            )
        try:
            token = api_token_check(parts[1].decode("latin-1"))
        except InvalidTokenError as error:
            raise exceptions.AuthenticationFailed(str(error)) from None
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes API tokens in the OpenAPI schema as HTTP bearer authentication."""

    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token: `Authorization: Bearer <key>` (the scheme "
            "`Token` is accepted too). Admins create tokens in the admin or with "
            "`manage.py create_api_token`.",
        }
