<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ImportFileDialog</name>
    <message>
        <location filename="../../ui/dialogs.py" line="50" />
        <source>Choose a file to import</source>
        <translation>选择要导入的文件</translation>
    </message>
    <message>
        <location filename="../../ui/dialogs.py" line="51" />
        <source>Images or PDF (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.pdf)</source>
        <translation>图片或 PDF（*.jpg *.jpeg *.png *.tif *.tiff *.webp *.pdf）</translation>
    </message>
</context>
<context>
    <name>Kiosk</name>
    <message>
        <location filename="../../ui/kiosk/idle.py" line="65" />
        <source>Are you still there?</source>
        <translation>您还在吗？</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/idle.py" line="66" />
        <source>%1 seconds</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/idle.py" line="67" />
        <source>To protect your privacy, this session will end and what you entered will be cleared from the screen.</source>
        <translation>为保护您的隐私，本次操作即将结束，您填写的内容将从屏幕上清除。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/idle.py" line="69" />
        <source>I need more time</source>
        <translation>我需要更多时间</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/navigator.py" line="257" />
        <source>Leave this application?</source>
        <translation>离开本次申请吗？</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/navigator.py" line="258" />
        <source>What you have entered will be cleared from this kiosk.</source>
        <translation>您已填写的内容将从本机清除。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/navigator.py" line="259" />
        <source>Yes, leave and clear</source>
        <translation>是，离开并清除</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/navigator.py" line="259" />
        <source>No, continue</source>
        <translation>不，继续办理</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/base.py" line="69" />
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/base.py" line="70" />
        <source>Next</source>
        <translation>下一步</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="127" />
        <source>All services</source>
        <translation>全部事项</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="157" />
        <source>Done within %1 working days</source>
        <translation>%1 个工作日办结</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="167" />
        <source>%1 services found. Tap one to read its guide.</source>
        <translation>找到 %1 项服务，点击查看办事指南。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="170" />
        <source>No service matches your search. Try fewer characters, or the first letters of the pinyin (for example sfz for 身份证).</source>
        <translation>没有找到匹配的事项。请减少输入的字，或输入拼音首字母（如“身份证”输入 sfz）。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="176" />
        <source>Choose a service</source>
        <translation>选择办理事项</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="177" />
        <source>Search by name or by the first letters of its pinyin, or browse by department or by life event.</source>
        <translation>可按名称或拼音首字母搜索，也可以按部门或主题查找。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="179" />
        <source>Search, e.g. 身份证 or sfz</source>
        <translation>搜索，如 身份证 或 sfz</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="180" />
        <source>By department</source>
        <translation>按部门</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/browser.py" line="181" />
        <source>By life event</source>
        <translation>按主题</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/form.py" line="46" />
        <source>Fill in the form: %1</source>
        <translation>填写申请表：%1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/form.py" line="47" />
        <source>Items marked (required) must be filled in. Your answers are saved as you go.</source>
        <translation>标有“（必填）”的项目必须填写。您填写的内容会随时保存。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="31" />
        <source>Free of charge</source>
        <translation>不收费</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="32" />
        <source>%1 yuan</source>
        <translation>%1 元</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="37" />
        <source>required</source>
        <translation>必交</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="37" />
        <source>if applicable</source>
        <translation>如适用</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="40" />
        <source>Time limit</source>
        <translation>办理时限</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="41" />
        <source>Done within %1 working days (the law allows %2).</source>
        <translation>承诺 %1 个工作日内办结（法定时限 %2 个工作日）。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="43" />
        <source>Fee</source>
        <translation>收费标准</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="44" />
        <source>Materials to bring</source>
        <translation>申请材料</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="45" />
        <source>Who can apply</source>
        <translation>申请条件</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="46" />
        <source>Where and how</source>
        <translation>办理地点与方式</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="47" />
        <source>Type and legal basis</source>
        <translation>事项类型与设定依据</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="52" />
        <source>Start my application</source>
        <translation>开始申请</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/guide.py" line="54" />
        <source>Please read the guide. The ● materials are required; have them ready to scan.</source>
        <translation>请阅读办事指南。标 ● 的材料为必交材料，请准备好以便扫描。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/identity.py" line="103" />
        <source>Or type your details below.</source>
        <translation>也可以在下方手动填写。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/identity.py" line="118" />
        <source>Who is applying?</source>
        <translation>申请人是谁？</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/identity.py" line="119" />
        <source>Place your ID card on the reader, or type your details. We check each one as soon as you finish it.</source>
        <translation>请将身份证放在阅读器上，或手动填写。每填完一项，系统会立即检查。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/identity.py" line="121" />
        <source>Read my ID card</source>
        <translation>读取身份证</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/materials.py" line="124" />
        <source>This material is required. Please scan, photograph or import it.</source>
        <translation>这是必交材料，请扫描、拍摄或导入。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/materials.py" line="134" />
        <source>Provide your materials</source>
        <translation>提交材料</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/materials.py" line="135" />
        <source>For each material, put it on the scanner or under the camera, or import a file. Check the pictures; you can retake or delete a page.</source>
        <translation>请逐项将材料放在扫描仪上或高拍仪下，或导入文件。请核对图片，可以重拍或删除。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="85" />
        <source>Status</source>
        <translation>办理状态</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="86" />
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="87" />
        <source>Promised completion</source>
        <translation>承诺办结日期</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="95" />
        <source>Source: the platform</source>
        <translation>来源：政务服务平台</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="96" />
        <source>Source: this kiosk's records</source>
        <translation>来源：本机记录</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="98" />
        <source>No application with this number was found. Please check the number or ask the hall staff.</source>
        <translation>没有找到该编号的申请。请核对编号，或咨询大厅工作人员。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="107" />
        <source>Check progress</source>
        <translation>办件查询</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="108" />
        <source>Type the receipt number printed on your receipt, then tap Look up.</source>
        <translation>请输入回执上的编号，然后点“查询”。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="109" />
        <source>Look up</source>
        <translation>查询</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="121" />
        <source>Rate our service</source>
        <translation>服务评价</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="122" />
        <source>How satisfied are you with this service? Tap one of the five choices.</source>
        <translation>您对本次服务满意吗？请点击五个选项之一。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="123" />
        <location filename="../../ui/kiosk/screens/result.py" line="95" />
        <source>Finish</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="123" />
        <source>Send my rating</source>
        <translation>提交评价</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="125" />
        <source>Please tell us why (choose one):</source>
        <translation>请告诉我们原因（选择一项）：</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="126" />
        <source>Anything else you would like to tell us (optional)</source>
        <translation>您还想告诉我们什么（选填）</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/rating.py" line="127" />
        <source>Thank you. Your rating has been recorded and helps us improve.</source>
        <translation>谢谢！您的评价已记录，将帮助我们改进服务。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="83" />
        <source>Printing your receipt…</source>
        <translation>正在打印回执……</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="96" />
        <source>Rate this service</source>
        <translation>评价本次服务</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="97" />
        <source>Your application has been submitted</source>
        <translation>申请已提交</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="98" />
        <source>Keep your receipt. You can check progress here with the receipt number, or scan the QR code with your phone.</source>
        <translation>请妥善保管回执。您可以凭回执编号在本机查询进度，也可以用手机扫描二维码查询。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/progress.py" line="84" />
        <location filename="../../ui/kiosk/screens/result.py" line="100" />
        <source>Receipt number</source>
        <translation>回执编号</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="103" />
        <source>Promised completion: by %1</source>
        <translation>承诺办结日期：%1 前</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/result.py" line="104" />
        <source>Scan to check progress</source>
        <translation>扫码查询进度</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="37" />
        <source>Submitting…</source>
        <translation>正在提交……</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="37" />
        <source>Submit</source>
        <translation>提交</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="46" />
        <source>Change</source>
        <translation>修改</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="62" />
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="63" />
        <source>ID number</source>
        <translation>身份证号码</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="64" />
        <source>Mobile</source>
        <translation>手机号码</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="65" />
        <source>(not filled in)</source>
        <translation>（未填写）</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="66" />
        <source>Pages: %1</source>
        <translation>共 %1 页</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="67" />
        <source>Not provided</source>
        <translation>未提交</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="84" />
        <source>Service</source>
        <translation>办理事项</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="85" />
        <source>Applicant</source>
        <translation>申请人</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="86" />
        <source>Your answers</source>
        <translation>填写内容</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="87" />
        <location filename="../../ui/kiosk/top_bar.py" line="73" />
        <source>Materials</source>
        <translation>材料</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="98" />
        <source>Check and submit</source>
        <translation>核对并提交</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/review.py" line="99" />
        <source>Please check your application. Tap Change to correct anything, then tap Submit.</source>
        <translation>请核对申请内容。如需更正请点“修改”，确认无误后点“提交”。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="44" />
        <source>Welcome to %1</source>
        <translation>欢迎来到%1</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="45" />
        <source>What would you like to do? Tap one of the large buttons below.</source>
        <translation>请问您要办理什么？请点击下方的大按钮。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="46" />
        <source>Apply for a service</source>
        <translation>我要办事</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="47" />
        <source>Check the progress of an application</source>
        <translation>查询办理进度</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="48" />
        <source>Rate a service</source>
        <translation>评价服务</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/screens/welcome.py" line="49" />
        <source>You can switch the language, make the text larger or have this page read aloud with the buttons at the top. If you need help, please ask the hall staff.</source>
        <translation>您可以用顶部的按钮切换语言、放大字体或朗读本页。如需帮助，请咨询大厅工作人员。</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="71" />
        <source>Self-service kiosk</source>
        <translation>自助服务终端</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="73" />
        <source>Identity</source>
        <translation>身份</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="73" />
        <source>Form</source>
        <translation>填表</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="74" />
        <source>Check</source>
        <translation>核对</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="74" />
        <source>Receipt</source>
        <translation>回执</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="75" />
        <source>Step %1 of %2: %3</source>
        <translation>第 %1 步，共 %2 步：%3</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="80" />
        <source>Large text</source>
        <translation>大字模式</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="81" />
        <source>Read aloud</source>
        <translation>朗读</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="82" />
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location filename="../../ui/kiosk/top_bar.py" line="117" />
        <source>OK</source>
        <translation>知道了</translation>
    </message>
</context>
<context>
    <name>Widgets</name>
    <message>
        <location filename="../../ui/widgets/fields.py" line="91" />
        <source>(required)</source>
        <translation>（必填）</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/fields.py" line="91" />
        <source>(optional)</source>
        <translation>（选填）</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="87" />
        <source>Pages: %1</source>
        <translation>共 %1 页</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="88" />
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="89" />
        <source>Retake</source>
        <translation>重拍</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="186" />
        <source>Working…</source>
        <translation>处理中……</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="189" />
        <source>Provided</source>
        <translation>已提交</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="192" />
        <source>Still needed</source>
        <translation>尚未提交</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="195" />
        <location filename="../../ui/widgets/materials.py" line="202" />
        <source>Optional</source>
        <translation>选交</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="202" />
        <source>Required</source>
        <translation>必交</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="203" />
        <source>Copies: %1</source>
        <translation>份数：%1</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="206" />
        <source>Scan</source>
        <translation>扫描</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="207" />
        <source>Photograph</source>
        <translation>高拍仪拍摄</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/materials.py" line="208" />
        <source>Import a file</source>
        <translation>导入文件</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="26" />
        <source>Checking connection</source>
        <translation>正在检查网络</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="30" />
        <source>Online</source>
        <translation>在线</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="32" />
        <source>Working offline</source>
        <translation>离线工作</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="34" />
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="37" />
        <source>%1 waiting to send</source>
        <translation>%1 项待发送</translation>
    </message>
    <message>
        <location filename="../../ui/widgets/sync_indicator.py" line="39" />
        <source>Applications are saved on this kiosk and sent when the link is up.</source>
        <translation>申请已保存在本机，网络恢复后自动上报。</translation>
    </message>
</context>
</TS>