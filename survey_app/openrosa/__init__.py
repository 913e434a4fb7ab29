"""OpenRosa 1.0 for ODK Collect: form discovery, form download and submissions."""
