"""Import and export in the admin (django-import-export): CSV and XLSX, a downloadable
template, a dry run first (the import is offered only when no row has an error: all or
nothing), and every import and export recorded in the audit trail."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import path
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, XLSX

from members.services import audit_log


class PortalImportExportMixin(ImportExportMixin):
    formats = [XLSX, CSV]
    import_template_name = "admin/members/import.html"
    transfer_label = ""  # e.g. "contacts", for the audit trail

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import-template.<str:extension>",
                self.admin_site.admin_view(self.import_template_view),
                name=f"{info[0]}_{info[1]}_import_template",
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request, extension):
        """The file to fill in: the columns of an import, no rows."""
        if not self.has_import_permission(request):
            raise Http404
        file_format = {f().get_extension(): f for f in self.formats}.get(extension)
        if file_format is None:
            raise Http404
        resource = self.get_import_resource_classes(request)[0]()
        dataset = resource.export(queryset=self.model.objects.none())
        response = HttpResponse(
            file_format().export_data(dataset), content_type=file_format().get_content_type()
        )
        response["Content-Disposition"] = (
            f'attachment; filename="optonet-{self.transfer_label}-template.{extension}"'
        )
        return response

    def get_data_for_export(self, request, queryset, **kwargs):
        audit_log(
            actor=request.user,
            action=f"{self.opts.app_label}.{self.transfer_label}.exported",
            rows=queryset.count(),
        )
        return super().get_data_for_export(request, queryset, **kwargs)

    def process_result(self, result, request):
        totals = {k: v for k, v in result.totals.items() if v}
        audit_log(
            actor=request.user,
            action=f"{self.opts.app_label}.{self.transfer_label}.imported",
            **totals,
        )
        return super().process_result(result, request)
