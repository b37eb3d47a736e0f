# Importing the apps' API modules registers their viewsets on the router.
import mitigations.api.views  # noqa: E402, F401, I001
import risks.api.views  # noqa: E402, F401
from riskregister.api.router import router

urlpatterns = router.urls
