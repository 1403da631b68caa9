"""Queue tickets on the thermal printer: what a ticket says (`content`), its blocks (`layout`); the bytes and
the picture come from the receipt's own writers (`printing.receipt.escpos_out`, `printing.receipt.raster`)."""
