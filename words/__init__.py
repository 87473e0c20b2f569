"""What the galleries say to their visitors, in plain words: sentences that only the Gradio tabs
and the Streamlit pages show (and the tests that check them), declared once for both. What a
Python user of the models needs (settings, their ranges, error messages) stays in `genzoo`."""
