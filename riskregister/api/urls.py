from riskregister.api.router import router

urlpatterns = router.urls
