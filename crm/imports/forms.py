from django import forms
from django.utils.translation import gettext_lazy as _

from crm.imports.models import DuplicateStrategy, ImportKind, ImportMode


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"), choices=ImportKind.choices)
    file = forms.FileField(label=_("File (.csv or .xlsx)"))
    mode = forms.ChoiceField(
        label=_("If a row has an error"), choices=[
            (ImportMode.ALL_OR_NOTHING, _("Import nothing (all or nothing)")),
            (ImportMode.PER_ROW, _("Import the good rows, give me a file of the others")),
        ], initial=ImportMode.ALL_OR_NOTHING)
    duplicates = forms.ChoiceField(label=_("If a row matches an existing record"),
                                   choices=DuplicateStrategy.choices,
                                   initial=DuplicateStrategy.SKIP)
    dry_run = forms.BooleanField(label=_("Dry run: check every row, write nothing"),
                                 required=False)
