"""Sandbox page: set up any run."""

import streamlit as st

st.set_page_config(page_title="Sandbox · Gradient Flow Lab", layout="wide")
st.title("Sandbox")
st.write("Coming soon.")
