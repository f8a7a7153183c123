"""Progress: outcome measures entry, charts of pain, PSFS, NDI and ROM with the MCID, drawings side by side, tenderness per trigger point."""
