"""Thermal receipts: content from the store, a layout of blocks, ESC/POS bytes or one raster."""
