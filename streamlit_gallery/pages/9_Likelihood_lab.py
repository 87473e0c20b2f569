"""The likelihood lab's page of the Streamlit gallery: the same functions as the Gradio tab,
other layout."""

from genzoo.env import offline_defaults

offline_defaults()

import streamlit as st

from genzoo.pipelines import likelihood as actions
from streamlit_gallery.common import Link, control, show, showing_errors
from streamlit_gallery.sketchpad import sketchpad
from words import likelihood as words

st.set_page_config(page_title="genzoo: likelihood lab", page_icon="🦓", layout="wide")
st.title("Likelihood lab")
st.write(words.INTRO)
link = Link("likelihood")

left, right = st.columns([1, 2])
with left:
    source = st.radio("Picture", words.SOURCES, horizontal=True, key="lab_source")
    report = None
    if source == words.SOURCES[0]:
        dataset = control(actions.DATASET, link, key="lab_dataset")
        last = len(actions.examples(dataset)) - 1
        example = control(actions.EXAMPLE.but(high=last), link, key="lab_example")
        report = showing_errors(actions.likelihood_example, dataset, example)
    elif source == words.SOURCES[1]:
        upload = st.file_uploader("Upload a picture", key="lab_upload")
        if upload is not None:
            report = showing_errors(actions.likelihood_of, upload.getvalue())
    else:
        st.caption("Draw, then click *Use drawing*")
        drawing = sketchpad(key="lab_drawing")
        if drawing is not None:
            report = showing_errors(actions.likelihood_of, drawing)
    if report is not None:
        show(st, report.input, caption="What the models see", width=230)

with right:
    if report is None:
        st.info("Pick, upload or draw a picture to score it.")
    else:
        st.dataframe(report.table(), hide_index=True)
        st.markdown(report.describe())
        if source == words.SOURCES[0]:
            link.show(dict(dataset=dataset, example=example))
    st.caption(words.HOW_EACH_SCORES)

st.markdown(words.OUT_OF_DISTRIBUTION)
placement = actions.out_of_distribution(report)
chart_column, placed_column = st.columns([2, 1])
show(chart_column, placement.chart, caption="Fashion-MNIST test images against MNIST digits")
placed_column.markdown(placement.text)
