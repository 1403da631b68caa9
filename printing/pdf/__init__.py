"""A4 documents as PDFs (reportlab) with embedded CJK TrueType fonts."""
