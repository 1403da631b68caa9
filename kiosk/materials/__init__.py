"""Supporting materials: taking files in safely, and (later) the image pipeline."""
