"""Supporting materials: taking files in safely (`intake`) and the image pipeline.

`pipeline` runs a page through `geometry` (upright, sheet found, deskewed),
`tone` (light levelled, text or photograph, black-and-white) and `encode`
(G4 / JPEG within the page budgets, one PDF per material). `samples` makes
pages with known text for the tests and the benchmark.
"""
