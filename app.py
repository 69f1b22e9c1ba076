"""Gradient Flow Lab: the Home page (entry point of `streamlit run app.py`)."""

import streamlit as st

st.set_page_config(page_title="Gradient Flow Lab", layout="wide")
st.title("Gradient Flow Lab")
st.write("Pick an experiment in the sidebar.")
