"""Data portability: a whole project as one versioned JSON document, out of one installation and into another.

`project_export(project=...)` writes the document, `project_import(document=..., user=...)` reads it
into a new project in one transaction; `read_document(bytes)` parses an uploaded file with its
limits. The format is described in schema.py, the import's decisions in importer.py.
"""

from .exporter import document_json, project_export
from .importer import ProjectImportError, file_members, project_import, read_document

__all__ = ["ProjectImportError", "document_json", "file_members", "project_export", "project_import", "read_document"]
