"""The PDF strategy report: HTML from templates, laid out by WeasyPrint with a locked-down URL fetcher."""
