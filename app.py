"""Streamlit entry point (placeholder until the dashboard issue): shows the embedded atlas."""

import streamlit as st

from recommender import load_atlas

st.title("Sister-city seasonal travel recommender")
atlas = load_atlas()
st.write(f"{atlas['city_id'].nunique():,} cities with climate normals.")
