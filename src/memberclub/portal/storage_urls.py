"""Routes of the online storage pages, mounted at /storage/."""

from django.urls import path

from memberclub.portal.views import storage, storage_former, storage_upload

app_name = "storage"
urlpatterns = [
    path("", storage.storage_view, name="list"),
    path("upload/", storage_upload.upload_raw_view, name="upload"),
    path("files/<int:file_id>/", storage.download_view, name="download"),
    path("files/<int:file_id>/rename/", storage.rename_view, name="rename"),
    path("files/<int:file_id>/delete/", storage.delete_view, name="delete"),
    path("former/", storage_former.former_login_view, name="former_login"),
]
